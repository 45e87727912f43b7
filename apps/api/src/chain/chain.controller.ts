import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { getAddress } from 'ethers';
import { upstreamDomain } from '@upstream/provenance';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { Access } from '../access/access.decorator';

class Eip712DomainDto {
  @ApiProperty({ enum: ['Upstream'], example: 'Upstream' }) name!: string;
  @ApiProperty({ enum: ['1'], example: '1' }) version!: string;
  @ApiProperty({ example: 31337 }) chainId!: number;
  @ApiProperty({ example: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }) verifyingContract!: string;
}

export class ChainInfoDto {
  @ApiProperty({ example: 31337 }) chainId!: number;
  @ApiProperty({ example: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }) royaltySplitter!: string;
  @ApiProperty({ example: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }) provenanceRegistry!: string;
  @ApiProperty({ type: String, nullable: true, example: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' }) paymentToken!:
    string | null;
  @ApiProperty({ example: 0, description: 'Blocks before an event counts as final' }) confirmations!: number;
  @ApiProperty({ type: Eip712DomainDto, description: 'Domain every Upstream EIP-712 message is signed under' })
  eip712Domain!: Eip712DomainDto;
}

@ApiTags('chain')
@Access.public()
@Controller('chain')
export class ChainController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get()
  @ApiOperation({ summary: 'The chain, contract addresses and EIP-712 domain that clients sign for' })
  @ApiOkResponse({ type: ChainInfoDto })
  info(): ChainInfoDto {
    const { deployment } = this.runtime.infrastructure;
    // Shown as EIP-55 checksums, the form wallets display; inside, the addresses are lowercase.
    const provenanceRegistry = getAddress(deployment.provenanceRegistry);
    return {
      chainId: deployment.chainId,
      royaltySplitter: getAddress(deployment.royaltySplitter),
      provenanceRegistry,
      paymentToken: deployment.paymentToken && getAddress(deployment.paymentToken),
      confirmations: this.runtime.config.confirmations,
      eip712Domain: upstreamDomain(deployment.chainId, provenanceRegistry) as Eip712DomainDto,
    };
  }
}
